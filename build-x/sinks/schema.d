build-x/sinks/schema.o: sinks/schema.c core/compat.h sinks/schema.h \
 core/buf.h core/err.h core/json.h model/streams.h
core/compat.h:
sinks/schema.h:
core/buf.h:
core/err.h:
core/json.h:
model/streams.h:
