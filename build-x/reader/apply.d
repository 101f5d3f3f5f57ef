build-x/reader/apply.o: reader/apply.c core/compat.h core/err.h \
 core/log.h core/strutil.h core/xalloc.h reader/apply.h \
 reader/engine_int.h adapter/adapter.h core/buf.h core/strset.h \
 reader/engine.h model/streams.h reader/checkpoint.h reader/page.h \
 model/columns.h reader/plan.h reader/fields.h model/record.h \
 sinks/sink.h
core/compat.h:
core/err.h:
core/log.h:
core/strutil.h:
core/xalloc.h:
reader/apply.h:
reader/engine_int.h:
adapter/adapter.h:
core/buf.h:
core/strset.h:
reader/engine.h:
model/streams.h:
reader/checkpoint.h:
reader/page.h:
model/columns.h:
reader/plan.h:
reader/fields.h:
model/record.h:
sinks/sink.h:
