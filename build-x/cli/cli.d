build-x/cli/cli.o: cli/cli.c core/compat.h cli/cli.h core/opt.h \
 profiles/profile.h sinks/sink.h core/err.h core/log.h core/redact.h \
 core/strutil.h
core/compat.h:
cli/cli.h:
core/opt.h:
profiles/profile.h:
sinks/sink.h:
core/err.h:
core/log.h:
core/redact.h:
core/strutil.h:
