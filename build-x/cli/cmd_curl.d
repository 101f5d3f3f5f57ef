build-x/cli/cmd_curl.o: cli/cmd_curl.c core/compat.h cli/cli.h core/opt.h \
 cli/run.h adapter/adapter.h core/buf.h core/err.h adapter/url.h \
 core/redact.h core/xalloc.h profiles/profile.h
core/compat.h:
cli/cli.h:
core/opt.h:
cli/run.h:
adapter/adapter.h:
core/buf.h:
core/err.h:
adapter/url.h:
core/redact.h:
core/xalloc.h:
profiles/profile.h:
