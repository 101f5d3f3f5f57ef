build-x/cli/cmd_state.o: cli/cmd_state.c core/compat.h cli/cli.h \
 core/opt.h cli/run.h core/buf.h core/err.h core/lockfile.h \
 core/strutil.h profiles/profile.h reader/checkpoint.h model/streams.h \
 sinks/sink.h
core/compat.h:
cli/cli.h:
core/opt.h:
cli/run.h:
core/buf.h:
core/err.h:
core/lockfile.h:
core/strutil.h:
profiles/profile.h:
reader/checkpoint.h:
model/streams.h:
sinks/sink.h:
