import DryadCLI

await DryadMain.main()
