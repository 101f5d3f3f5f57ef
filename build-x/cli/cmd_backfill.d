build-x/cli/cmd_backfill.o: cli/cmd_backfill.c core/compat.h cli/cli.h \
 core/opt.h cli/run.h core/err.h
core/compat.h:
cli/cli.h:
core/opt.h:
cli/run.h:
core/err.h:
