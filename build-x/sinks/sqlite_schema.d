build-x/sinks/sqlite_schema.o: sinks/sqlite_schema.c core/compat.h \
 sinks/sqlite_schema.h core/buf.h model/streams.h
core/compat.h:
sinks/sqlite_schema.h:
core/buf.h:
model/streams.h:
