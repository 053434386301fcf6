package io.stoke.orchestrator.docker;

/** Where an instance is reached: a published host port, or its name on a Docker network. */
public record Endpoint(String host, int port) {}
