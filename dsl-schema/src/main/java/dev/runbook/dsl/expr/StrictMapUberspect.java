package dev.runbook.dsl.expr;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.commons.jexl3.JexlArithmetic;
import org.apache.commons.jexl3.JexlEngine;
import org.apache.commons.jexl3.JexlOperator;
import org.apache.commons.jexl3.introspection.JexlMethod;
import org.apache.commons.jexl3.introspection.JexlPropertyGet;
import org.apache.commons.jexl3.introspection.JexlPropertySet;
import org.apache.commons.jexl3.introspection.JexlUberspect;

/**
 * JEXL introspection narrowed to what expressions need: a map's entries by key, and nothing that
 * writes or constructs.
 *
 * <p>Why: JEXL reads a map through {@code Map.get}, so a key that is not there reads as null even
 * in strict mode, and {@code params.instal_dir} would quietly render as an empty string. Here a
 * missing key has no getter at all, which strict mode reports as an undefined property. A map is
 * also never read through bean properties ({@code params.class}, {@code params.empty}): only its
 * keys are visible. Everything else is delegated, under the sandbox that wraps this object.
 */
final class StrictMapUberspect implements JexlUberspect {
  private final JexlUberspect delegate;

  StrictMapUberspect(JexlUberspect delegate) {
    this.delegate = delegate;
  }

  @Override
  public JexlPropertyGet getPropertyGet(
      List<PropertyResolver> resolvers, Object obj, Object identifier) {
    return obj instanceof Map
        ? entryGetter((Map<?, ?>) obj, identifier)
        : delegate.getPropertyGet(resolvers, obj, identifier);
  }

  @Override
  public JexlPropertyGet getPropertyGet(Object obj, Object identifier) {
    return obj instanceof Map
        ? entryGetter((Map<?, ?>) obj, identifier)
        : delegate.getPropertyGet(obj, identifier);
  }

  private static JexlPropertyGet entryGetter(Map<?, ?> map, Object identifier) {
    if (map.containsKey(identifier)) {
      return new EntryGet(identifier);
    }
    // steps[0] arrives as an Integer while the keys are strings.
    if (!(identifier instanceof String) && map.containsKey(String.valueOf(identifier))) {
      return new EntryGet(String.valueOf(identifier));
    }
    return null;
  }

  @Override
  public JexlPropertySet getPropertySet(
      List<PropertyResolver> resolvers, Object obj, Object identifier, Object arg) {
    return null;
  }

  @Override
  public JexlPropertySet getPropertySet(Object obj, Object identifier, Object arg) {
    return null;
  }

  @Override
  public JexlMethod getConstructor(Object ctorHandle, Object... args) {
    return null;
  }

  @Override
  public JexlMethod getMethod(Object obj, String method, Object... args) {
    return delegate.getMethod(obj, method, args);
  }

  @Override
  public JexlArithmetic.Uberspect getArithmetic(JexlArithmetic arithmetic) {
    return delegate.getArithmetic(arithmetic);
  }

  @Override
  public JexlOperator.Uberspect getOperator(JexlArithmetic arithmetic) {
    return delegate.getOperator(arithmetic);
  }

  @Override
  public Class<?> getClassByName(String className) {
    return null;
  }

  @Override
  public ClassLoader getClassLoader() {
    return delegate.getClassLoader();
  }

  @Override
  public void setClassLoader(ClassLoader loader) {
    delegate.setClassLoader(loader);
  }

  @Override
  public Iterator<?> getIterator(Object obj) {
    return delegate.getIterator(obj);
  }

  @Override
  public List<PropertyResolver> getResolvers(JexlOperator operator, Object obj) {
    return delegate.getResolvers(operator, obj);
  }

  @Override
  public int getVersion() {
    return delegate.getVersion();
  }

  /** Reads one key of a map; cacheable per expression node like JEXL's own getters. */
  private static final class EntryGet implements JexlPropertyGet {
    private final Object key;

    EntryGet(Object key) {
      this.key = key;
    }

    @Override
    public Object invoke(Object obj) {
      return ((Map<?, ?>) obj).get(key);
    }

    @Override
    public Object tryInvoke(Object obj, Object identifier) {
      // A cached getter is reused for the same node on the next evaluation, with other maps:
      // fail (so JEXL asks again) unless it is the same key and the key is still there.
      if (obj instanceof Map && key.equals(identifier) && ((Map<?, ?>) obj).containsKey(key)) {
        return ((Map<?, ?>) obj).get(key);
      }
      return JexlEngine.TRY_FAILED;
    }

    @Override
    public boolean tryFailed(Object rval) {
      return rval == JexlEngine.TRY_FAILED;
    }

    @Override
    public boolean isCacheable() {
      return true;
    }
  }
}
