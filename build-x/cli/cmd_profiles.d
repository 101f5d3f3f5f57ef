build-x/cli/cmd_profiles.o: cli/cmd_profiles.c core/compat.h cli/cli.h \
 core/opt.h core/buf.h core/err.h core/json.h core/redact.h \
 core/strutil.h core/xalloc.h profiles/profile.h
core/compat.h:
cli/cli.h:
core/opt.h:
core/buf.h:
core/err.h:
core/json.h:
core/redact.h:
core/strutil.h:
core/xalloc.h:
profiles/profile.h:
