from ranknews.cli import main

main()
