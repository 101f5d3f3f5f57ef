build-x/cli/cmd_sync.o: cli/cmd_sync.c core/compat.h cli/cli.h core/opt.h \
 cli/run.h core/err.h
core/compat.h:
cli/cli.h:
core/opt.h:
cli/run.h:
core/err.h:
