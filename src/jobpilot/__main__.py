from jobpilot.cli import main

main()
