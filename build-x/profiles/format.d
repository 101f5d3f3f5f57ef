build-x/profiles/format.o: profiles/format.c core/compat.h \
 profiles/profile.h core/buf.h core/json.h core/redact.h core/strutil.h \
 profiles/load.h
core/compat.h:
profiles/profile.h:
core/buf.h:
core/json.h:
core/redact.h:
core/strutil.h:
profiles/load.h:
