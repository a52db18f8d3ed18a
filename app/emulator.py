"""The embedded AWS emulator: moto's server on loopback, in this process."""

from __future__ import annotations

import logging

from moto.moto_server.threaded_moto_server import ThreadedMotoServer


class EmbeddedAwsEmulator:
    """Stands in for DynamoDB, SQS, S3 and SES on a free loopback port."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
        self.url = ""

    def start(self) -> str:
        # werkzeug logs every request at INFO; the worker's long polls would flood the console.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.url = f"http://{host}:{port}"
        return self.url

    def stop(self) -> None:
        self._server.stop()
