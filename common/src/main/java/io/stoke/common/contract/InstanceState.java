package io.stoke.common.contract;

/** Where an instance is in its life; only READY instances receive new requests. */
public enum InstanceState {
  /** The container runs but the function has not answered {@code /_/ready} yet. */
  STARTING,
  /** Answers requests. */
  READY,
  /** Receives no new requests; finishes the ones in flight, then is removed. */
  DRAINING
}
