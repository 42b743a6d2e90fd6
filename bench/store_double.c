/* The baseline of bench/channel_py.py's publish() figure: the cheapest C call
 * Python can make that stores a double, loaded by ctypes like libsvipc. Not
 * part of libsvipc. */
volatile double bench_stored_double;

void bench_store_double(double value);

void bench_store_double(double value)
{
    bench_stored_double = value;
}
