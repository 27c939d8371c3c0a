"""Model Monitor: documents.py (data and model quality job definitions, monitoring schedules
and their executions, with the rules a request must meet), api.py (the operations),
schedules.py (cron expressions, NOW, offsets and the clock), scheduler.py (the thread that
starts each schedule's executions when they are due), executions.py (one execution: the
window's captured files into a processing job on the analyzer image, created through
SageMakerApi as a user would, and its status read back from that job).
"""
