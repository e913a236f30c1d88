from pmo_sync.cli import app

app(prog_name="pmo-sync")
