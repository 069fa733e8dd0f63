"""The streaming scan pipeline behind ``dockward scan``.

A scan is a list of tasks, one per file read (plus one per explicit compose group), each
turned into findings on its own: read, parse, link within the file, check, keep the
findings and drop the text and models (:mod:`.units`).  Tasks run in order in this process
or spread over a pool of processes (:mod:`.parallel`), and their results can come from a
cache (:mod:`.cache`, :mod:`.codec`).  What crosses files is a small index of paths and
image names (:class:`dockward.linking.LinkKeys`); the few files it connects are read again
together and linked as a whole (:mod:`.components`).  :mod:`dockward.usecases.scan` puts
the results back in the order a one-pass scan would have produced them, so the findings
do not depend on the number of processes or on the cache.
"""
