/** The JVM's own start-up cost, the cold-start baseline of the runbook benchmark (bench/run). */
public final class Hello {
  public static void main(String[] args) {
    System.out.println("hello");
  }
}
