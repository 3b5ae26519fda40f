// The server's name, version and edition, for the report's header.
CALL dbms.components() YIELD name, versions, edition
RETURN name, versions[0] AS version, edition
