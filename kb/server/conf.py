"""The managed server's configuration files: neo4j.conf and the two log4j2 files."""

from __future__ import annotations

import os

from kb.server.instance import Instance, ServerConfig
from kb.server.memory import transaction_caps

# JVM flags of the stock 5.x neo4j.conf (server.jvm.additional), which the official launcher
# would pass; we start the entry point ourselves, so we pass them. All but one: the stock
# -XX:+ExitOnOutOfMemoryError, which ends the server when one query exhausts the heap; the
# transaction memory caps below stop such a query first, and should one slip past them, the
# query fails and the server stays up.
JVM_FLAGS = (
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Djdk.tls.ephemeralDHKeySize=2048",
    "-Djdk.tls.rejectClientInitiatedRenegotiation=true",
    "-XX:FlightRecorderOptions=stackdepth=256",
    "-XX:+UnlockDiagnosticVMOptions",
    "-XX:+DebugNonSafepoints",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "-Dlog4j2.disable.jmx=true",
    "-Dfile.encoding=UTF-8",
)


def neo4j_conf(instance: Instance, config: ServerConfig, guide_port: int | None = None) -> str:
    """The server's settings; ``guide_port``: where the kb guide is served (kb.server.guide)."""
    from kb.server.guide import post_connect_command

    home = instance.home
    per_transaction, all_transactions = transaction_caps(config.heap)
    return f"""# Written by `kb server` for instance '{instance.name}'. Edits are overwritten on start.
server.default_listen_address=127.0.0.1
server.default_advertised_address=127.0.0.1
server.bolt.enabled=true
server.bolt.listen_address=127.0.0.1:{config.bolt_port}
server.bolt.advertised_address=127.0.0.1:{config.bolt_port}
server.http.enabled=true
server.http.listen_address=127.0.0.1:{config.http_port}
server.http.advertised_address=127.0.0.1:{config.http_port}
server.https.enabled=false
dbms.security.auth_enabled=true
dbms.security.auth_minimum_password_length=8
server.memory.heap.initial_size={config.heap}
server.memory.heap.max_size={config.heap}
server.memory.pagecache.size={config.pagecache}
# A runaway query fails with "... threshold reached" instead of exhausting the heap.
db.memory.transaction.max={per_transaction}
dbms.memory.transaction.total.max={all_transactions}
server.directories.data={home / "data"}
server.directories.logs={home / "logs"}
server.directories.run={home / "run"}
server.directories.plugins={home / "plugins"}
server.directories.import={home / "import"}
server.directories.lib={instance.lib_dir(config.version)}
dbms.security.allow_csv_import_from_file_urls=true
server.logs.config={home / "conf" / "server-logs.xml"}
server.logs.user.config={home / "conf" / "user-logs.xml"}
dbms.usage_report.enabled=false
server.threads.worker_count=16
db.tx_log.rotation.retention_policy=2 files
# Neo4j Browser, at every login: apply the shipped style, clear the stream (Browser's own
# `:play start` and the style frame) and play the kb guide; no usage tracking.
browser.post_connect_cmd={post_connect_command(guide_port)}
client.allow_telemetry=false
"""


def server_logs_xml() -> str:
    return """<?xml version="1.0" encoding="UTF-8"?>
<!-- Internal logs (debug.log, http.log, query.log, security.log), rolled at 20 MB. -->
<Configuration status="ERROR" monitorInterval="30" packages="org.neo4j.logging.log4j">
  <Appenders>
    <RollingRandomAccessFile name="DebugLog" fileName="${config:server.directories.logs}/debug.log"
        filePattern="${config:server.directories.logs}/debug.log.%02i">
      <Neo4jDebugLogLayout pattern="%d{yyyy-MM-dd HH:mm:ss.SSSZ}{GMT+0} %-5p [%c{1.}] %m%n"/>
      <Policies><SizeBasedTriggeringPolicy size="20 MB"/></Policies>
      <DefaultRolloverStrategy fileIndex="min" max="3"/>
    </RollingRandomAccessFile>
    <RollingRandomAccessFile name="HttpLog" fileName="${config:server.directories.logs}/http.log"
        filePattern="${config:server.directories.logs}/http.log.%02i">
      <PatternLayout pattern="%d{yyyy-MM-dd HH:mm:ss.SSSZ}{GMT+0} %-5p %m%n"/>
      <Policies><SizeBasedTriggeringPolicy size="20 MB"/></Policies>
      <DefaultRolloverStrategy fileIndex="min" max="2"/>
    </RollingRandomAccessFile>
    <RollingRandomAccessFile name="QueryLog" fileName="${config:server.directories.logs}/query.log"
        filePattern="${config:server.directories.logs}/query.log.%02i">
      <PatternLayout pattern="%d{yyyy-MM-dd HH:mm:ss.SSSZ}{GMT+0} %-5p %m%n"/>
      <Policies><SizeBasedTriggeringPolicy size="20 MB"/></Policies>
      <DefaultRolloverStrategy fileIndex="min" max="2"/>
    </RollingRandomAccessFile>
    <RollingRandomAccessFile name="SecurityLog" fileName="${config:server.directories.logs}/security.log"
        filePattern="${config:server.directories.logs}/security.log.%02i">
      <PatternLayout pattern="%d{yyyy-MM-dd HH:mm:ss.SSSZ}{GMT+0} %-5p %m%n"/>
      <Policies><SizeBasedTriggeringPolicy size="20 MB"/></Policies>
      <DefaultRolloverStrategy fileIndex="min" max="2"/>
    </RollingRandomAccessFile>
  </Appenders>
  <Loggers>
    <Logger name="HttpLogger" level="INFO" additivity="false"><AppenderRef ref="HttpLog"/></Logger>
    <Logger name="QueryLogger" level="INFO" additivity="false"><AppenderRef ref="QueryLog"/></Logger>
    <Logger name="SecurityLogger" level="INFO" additivity="false">
      <AppenderRef ref="SecurityLog"/>
    </Logger>
    <Root level="INFO"><AppenderRef ref="DebugLog"/></Root>
  </Loggers>
</Configuration>
"""


def user_logs_xml() -> str:
    return """<?xml version="1.0" encoding="UTF-8"?>
<!-- The user log: neo4j.log, rolled at 20 MB. -->
<Configuration status="ERROR" monitorInterval="30" packages="org.neo4j.logging.log4j">
  <Appenders>
    <RollingRandomAccessFile name="Neo4jLog" fileName="${config:server.directories.logs}/neo4j.log"
        filePattern="${config:server.directories.logs}/neo4j.log.%02i">
      <PatternLayout pattern="%d{yyyy-MM-dd HH:mm:ss.SSSZ}{GMT+0} %-5p %m%n"/>
      <Policies><SizeBasedTriggeringPolicy size="20 MB"/></Policies>
      <DefaultRolloverStrategy fileIndex="min" max="3"/>
    </RollingRandomAccessFile>
  </Appenders>
  <Loggers>
    <Root level="INFO"><AppenderRef ref="Neo4jLog"/></Root>
  </Loggers>
</Configuration>
"""


def write_conf(instance: Instance, config: ServerConfig, guide_port: int | None = None) -> None:
    instance.conf_dir.mkdir(parents=True, exist_ok=True)
    files = {
        "neo4j.conf": neo4j_conf(instance, config, guide_port),
        "server-logs.xml": server_logs_xml(),
        "user-logs.xml": user_logs_xml(),
    }
    for name, text in files.items():
        path = instance.conf_dir / name
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
        os.chmod(path, 0o600)
