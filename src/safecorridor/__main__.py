from safecorridor.cli.app import main

main()
