build-x/reader/plan.o: reader/plan.c core/compat.h reader/plan.h \
 reader/engine.h model/streams.h reader/checkpoint.h core/log.h \
 core/strutil.h
core/compat.h:
reader/plan.h:
reader/engine.h:
model/streams.h:
reader/checkpoint.h:
core/log.h:
core/strutil.h:
