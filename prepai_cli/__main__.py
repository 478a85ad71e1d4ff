from prepai_cli.cli import main

main()
