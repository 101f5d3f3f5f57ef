build-x/sinks/ndjson_part.o: sinks/ndjson_part.c core/compat.h \
 sinks/ndjson_part.h core/sha256.h core/err.h core/file.h core/xalloc.h
core/compat.h:
sinks/ndjson_part.h:
core/sha256.h:
core/err.h:
core/file.h:
core/xalloc.h:
