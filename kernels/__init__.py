"""twin.kernels: the Numba layer.

Arrays in, arrays out. No pandas, no I/O, no scene objects; the caller allocates the outputs.
Nothing here imports from ``twin``. All Numba options live in :mod:`twin.kernels.config`.
Importing a kernel module compiles nothing: functions are compiled lazily on first call and
cached on disk.
"""
