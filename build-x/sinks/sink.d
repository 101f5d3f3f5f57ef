build-x/sinks/sink.o: sinks/sink.c core/compat.h sinks/sink.h \
 model/record.h model/columns.h core/buf.h core/err.h core/lockfile.h \
 core/xalloc.h
core/compat.h:
sinks/sink.h:
model/record.h:
model/columns.h:
core/buf.h:
core/err.h:
core/lockfile.h:
core/xalloc.h:
