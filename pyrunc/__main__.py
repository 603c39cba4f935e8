from pyrunc.cli.main import entry

entry()
