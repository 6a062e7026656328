"""The modules of bench/run (the entry point, which keeps only the command line and the order of
the phases):

  common     paths, the log line, statistics and formatting, /proc readings
  stub       the local HTTP stub (runs as `bench/run _stub`)
  processes  isolated environments, timed single runs, the running daemon
  prepare    machine facts, Python tools, the aws executable, the seed script, the release build
  phases     the measured phases
  fleet      the fleet simulation
  report     the Markdown report
"""
