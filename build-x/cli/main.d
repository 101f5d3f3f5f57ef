build-x/cli/main.o: cli/main.c core/compat.h cli/cli.h core/opt.h
core/compat.h:
cli/cli.h:
core/opt.h:
