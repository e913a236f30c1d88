"""`python -m bench`: every benchmark, one after the other, each writing bench/results/.

python -m bench [--large]     # --large adds the 100,000-issue sync run
"""

from __future__ import annotations

import argparse

from bench import (
    addin_bench,
    compliance_bench,
    excel_bench,
    map_bench,
    requests_bench,
    resources_bench,
    sync_bench,
)


def main() -> None:
    parser = argparse.ArgumentParser(description="Run all pmo-sync benchmarks.")
    parser.add_argument("--large", action="store_true", help="also sync 100,000 issues")
    args = parser.parse_args()
    print("== sync engine at portfolio scale ==")
    sync_bench.main(["--large"] if args.large else [])
    print("\n== Jira requests: quiet cycles and full reads, per deployment ==")
    requests_bench.main([])
    print("\n== Excel connector against openpyxl ==")
    excel_bench.main([])
    print("\n== worksheet function lookups ==")
    addin_bench.main([])
    print("\n== pmo-sync map on a 50-sheet, 100,000-row workbook ==")
    map_bench.main([])
    print("\n== compliance audit: the built-in pack over 100,000 items ==")
    compliance_bench.main([])
    print("\n== capacity engine: 500 people x 52 weeks x 20,000 work items ==")
    resources_bench.main([])


if __name__ == "__main__":
    main()
