package dev.ragtime.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/** What one CLI command printed and returned, as the tests of this package read it. */
record Run(int code, String out, String err) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Standard output as JSON; fails the test, showing both streams, when it is not JSON. */
  JsonNode json() {
    try {
      return JSON.readTree(out);
    } catch (IOException e) {
      throw new AssertionError("stdout is not JSON: " + out + "\nstderr: " + err, e);
    }
  }
}
