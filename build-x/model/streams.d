build-x/model/streams.o: model/streams.c core/compat.h model/streams.h \
 core/err.h core/strutil.h
core/compat.h:
model/streams.h:
core/err.h:
core/strutil.h:
