build-x/sinks/sqlite.o: sinks/sqlite.c core/compat.h sinks/sink.h \
 core/buf.h core/err.h core/xalloc.h model/streams.h model/columns.h \
 model/record.h sinks/sqlite_schema.h
core/compat.h:
sinks/sink.h:
core/buf.h:
core/err.h:
core/xalloc.h:
model/streams.h:
model/columns.h:
model/record.h:
sinks/sqlite_schema.h:
