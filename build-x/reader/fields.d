build-x/reader/fields.o: reader/fields.c core/compat.h reader/fields.h \
 model/columns.h core/buf.h reader/jscan.h model/streams.h
core/compat.h:
reader/fields.h:
model/columns.h:
core/buf.h:
reader/jscan.h:
model/streams.h:
