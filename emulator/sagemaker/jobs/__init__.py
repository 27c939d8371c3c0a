"""Job kinds: training, transform (and processing, monitoring executions to come).

Every kind lives the same life: created (a stored document, status InProgress) -> inputs
downloaded -> containers run through the runner -> outputs uploaded -> a terminal status
(Completed, Failed, Stopped), and a job running when the emulator stopped is Failed at the
next start. A kind is its resource module (the document, its checks, its statuses) and its
worker (what it downloads, runs and uploads).
"""
