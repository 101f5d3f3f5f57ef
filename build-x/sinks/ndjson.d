build-x/sinks/ndjson.o: sinks/ndjson.c core/compat.h sinks/sink.h \
 core/buf.h core/err.h core/file.h core/json.h core/sha256.h \
 core/strutil.h core/xalloc.h model/streams.h model/columns.h \
 sinks/manifest.h sinks/ndjson_part.h model/record.h
core/compat.h:
sinks/sink.h:
core/buf.h:
core/err.h:
core/file.h:
core/json.h:
core/sha256.h:
core/strutil.h:
core/xalloc.h:
model/streams.h:
model/columns.h:
sinks/manifest.h:
sinks/ndjson_part.h:
model/record.h:
