build-x/reader/checkpoint.o: reader/checkpoint.c core/compat.h \
 reader/checkpoint.h core/buf.h core/err.h core/json.h core/xalloc.h \
 model/streams.h
core/compat.h:
reader/checkpoint.h:
core/buf.h:
core/err.h:
core/json.h:
core/xalloc.h:
model/streams.h:
