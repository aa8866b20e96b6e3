package dev.runbook.engine.internal.docker;

/**
 * An image reference split the way the Engine API takes it: {@code registry:5000/app:1.4} is
 * repository {@code registry:5000/app} and tag {@code 1.4}; {@code app@sha256:...} is repository
 * {@code app} and the digest; without a tag, {@code latest}.
 *
 * @param repository everything before the tag or digest
 * @param tag the tag, or a digest ({@code sha256:...})
 */
record ImageRef(String repository, String tag) {
  static ImageRef parse(String ref) {
    int at = ref.indexOf('@');
    if (at >= 0) {
      return new ImageRef(ref.substring(0, at), ref.substring(at + 1));
    }
    int colon = ref.lastIndexOf(':');
    if (colon > ref.lastIndexOf('/')) {
      return new ImageRef(ref.substring(0, colon), ref.substring(colon + 1));
    }
    return new ImageRef(ref, "latest");
  }

  boolean isDigest() {
    return tag.contains(":");
  }
}
