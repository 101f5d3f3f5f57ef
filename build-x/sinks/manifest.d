build-x/sinks/manifest.o: sinks/manifest.c core/compat.h sinks/manifest.h \
 core/buf.h core/err.h core/file.h core/json.h core/strutil.h \
 core/xalloc.h
core/compat.h:
sinks/manifest.h:
core/buf.h:
core/err.h:
core/file.h:
core/json.h:
core/strutil.h:
core/xalloc.h:
