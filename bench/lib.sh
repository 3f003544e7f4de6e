# bench/lib.sh: shell functions the benchmark scripts share. Sourced, not run; the script that
# sources it defines `die` (message and exit) first.

# A loopback port nothing listens on (probed by connecting; the server binds it just after).
free_port() {
    local port i
    for i in $(seq 1 50); do
        port=$((20000 + (RANDOM * 32768 + RANDOM + i) % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
    done
    die "no free port found"
}
