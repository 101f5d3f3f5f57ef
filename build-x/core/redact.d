build-x/core/redact.o: core/redact.c core/compat.h core/redact.h \
 core/buf.h core/xalloc.h
core/compat.h:
core/redact.h:
core/buf.h:
core/xalloc.h:
