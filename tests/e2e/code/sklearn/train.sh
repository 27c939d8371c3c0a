#!/bin/sh
# A shell entry point, as the SDK's pipeline repack step runs one (_repack_script_launcher.sh).
set -e
echo "args: $*" > "$SM_MODEL_DIR/shell.txt"
echo "channel: $SM_CHANNEL_TRAIN" >> "$SM_MODEL_DIR/shell.txt"
echo "greeting: $SM_HP_GREETING" >> "$SM_MODEL_DIR/shell.txt"
python -c "import sklearn; print('sklearn', sklearn.__version__)" >> "$SM_MODEL_DIR/shell.txt"
echo "shell entry point done"
