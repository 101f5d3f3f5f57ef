build-x/core/log.o: core/log.c core/compat.h core/log.h core/buf.h \
 core/redact.h
core/compat.h:
core/log.h:
core/buf.h:
core/redact.h:
