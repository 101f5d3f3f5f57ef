build-x/cli/cmd_streams.o: cli/cmd_streams.c core/compat.h cli/cli.h \
 core/opt.h core/buf.h core/err.h model/streams.h sinks/schema.h
core/compat.h:
cli/cli.h:
core/opt.h:
core/buf.h:
core/err.h:
model/streams.h:
sinks/schema.h:
