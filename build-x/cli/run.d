build-x/cli/run.o: cli/run.c core/compat.h cli/run.h cli/cli.h core/opt.h \
 cli/run_int.h cli/progress.h core/buf.h core/lockfile.h \
 profiles/profile.h reader/checkpoint.h reader/engine.h model/streams.h \
 adapter/adapter.h core/err.h core/json.h core/log.h core/strutil.h \
 core/xalloc.h reader/plan.h sinks/sink.h
core/compat.h:
cli/run.h:
cli/cli.h:
core/opt.h:
cli/run_int.h:
cli/progress.h:
core/buf.h:
core/lockfile.h:
profiles/profile.h:
reader/checkpoint.h:
reader/engine.h:
model/streams.h:
adapter/adapter.h:
core/err.h:
core/json.h:
core/log.h:
core/strutil.h:
core/xalloc.h:
reader/plan.h:
sinks/sink.h:
