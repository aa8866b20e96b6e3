package dev.runbook.dsl.internal;

import dev.runbook.dsl.UrlCredentials;
import dev.runbook.dsl.model.Param;
import java.util.Locale;
import java.util.Optional;

/** Converts a parameter's text to its type's value, or says why it cannot. */
public final class ParamTypes {
  private ParamTypes() {}

  /**
   * Why {@code text} is not a valid value of {@code param}; empty when it is. The reason quotes the
   * text, except a secret's ("the given value") and the password of a URL in it.
   */
  public static Optional<String> check(Param param, String text) {
    Object value = convert(param, text);
    String shown = param.secret() ? "the given value" : "`" + UrlCredentials.mask(text) + "`";
    if (value == null) {
      return Optional.of(
          shown
              + " is not "
              + switch (param.type()) {
                case INT -> "a whole number";
                case BOOL -> "true or false";
                default -> "valid";
              });
    }
    if (!param.allowed().isEmpty() && !param.allowed().contains(String.valueOf(value))) {
      return Optional.of(shown + " is not one of " + String.join(", ", param.allowed()));
    }
    return Optional.empty();
  }

  /** The typed value (String, Long or Boolean), or null when {@code text} is not one. */
  public static Object convert(Param param, String text) {
    return switch (param.type()) {
      case STRING, PATH -> text;
      case INT -> {
        try {
          yield Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
          yield null;
        }
      }
      case BOOL ->
          switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            default -> null;
          };
    };
  }
}
