build-x/cli/cmd_check.o: cli/cmd_check.c core/compat.h cli/cli.h \
 core/opt.h cli/run.h adapter/adapter.h core/buf.h core/err.h \
 adapter/auth.h core/redact.h core/xalloc.h profiles/profile.h \
 model/streams.h
core/compat.h:
cli/cli.h:
core/opt.h:
cli/run.h:
adapter/adapter.h:
core/buf.h:
core/err.h:
adapter/auth.h:
core/redact.h:
core/xalloc.h:
profiles/profile.h:
model/streams.h:
