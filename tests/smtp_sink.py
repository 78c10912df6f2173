"""A real mail server for the tests: aiosmtpd in a process of its own, writing each message it accepts to a
file in a folder (the test reads them as a mail program would, with the email package's default policy).

    python tests/smtp_sink.py FOLDER PORT [--die-after N]

Prints "ready" once it listens. `--die-after N`: after accepting N messages the process exits in the middle of
the next one, before answering it, as a mail server that crashes mid-run (that message is not kept).
"""

import argparse
import os
import threading
from pathlib import Path

from aiosmtpd.controller import Controller


class Mailbox:
    def __init__(self, folder: Path, die_after: int | None) -> None:
        self.folder, self.die_after, self.count = folder, die_after, 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:
        with self.lock:
            if self.die_after is not None and self.count >= self.die_after:
                os._exit(3)  # gone, mid-message, without a reply
            self.count += 1
            number = self.count
        target = self.folder / f"{os.getpid()}-{number:06d}.eml"
        temporary = target.with_suffix(".part")
        temporary.write_bytes(envelope.original_content or envelope.content)
        temporary.rename(target)  # a reader never sees half a message
        return "250 Message accepted"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", type=Path)
    parser.add_argument("port", type=int)
    parser.add_argument("--die-after", type=int, default=None)
    args = parser.parse_args()
    controller = Controller(Mailbox(args.folder, args.die_after), hostname="127.0.0.1", port=args.port)
    controller.start()
    print("ready", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
