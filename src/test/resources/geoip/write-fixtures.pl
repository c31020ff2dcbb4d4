#!/usr/bin/perl
# Writes the small MaxMind databases the geo tests read (Debian: libmaxmind-db-writer-perl).
#   perl write-fixtures.pl DIR   ->  DIR/test-country.mmdb and DIR/test-asn.mmdb
# Ranges are documentation networks (RFC 5737, RFC 3849): no real client is ever in them.
use strict;
use warnings;
use MaxMind::DB::Writer::Tree;

my $dir = shift // '.';
my %types = (
    country => 'map', iso_code => 'utf8_string', continent => 'map', code => 'utf8_string',
    autonomous_system_number => 'uint32', autonomous_system_organization => 'utf8_string',
);
my $cb = sub { $types{ $_[0] } };

sub write_db {
    my ($file, $type, %ranges) = @_;
    my $tree = MaxMind::DB::Writer::Tree->new(
        ip_version => 6, record_size => 24, database_type => $type, languages => ['en'],
        description => { en => 'Sluice test fixture' }, map_key_type_callback => $cb,
        remove_reserved_networks => 0,
    );
    $tree->insert_network($_, $ranges{$_}) for sort keys %ranges;
    open my $fh, '>:raw', $file or die "$file: $!";
    $tree->write_tree($fh);
    close $fh;
}

sub place { { country => { iso_code => $_[0] }, continent => { code => $_[1] } } }

write_db("$dir/test-country.mmdb", 'GeoLite2-Country',
    '198.51.100.0/24' => place('DE', 'EU'),
    '203.0.113.0/24'  => place('BR', 'SA'),
    '192.0.2.0/25'    => place('AR', 'SA'),
    '2001:db8::/48'   => place('JP', 'AS'),
);
write_db("$dir/test-asn.mmdb", 'GeoLite2-ASN',
    '198.51.100.0/24' => { autonomous_system_number => 64512, autonomous_system_organization => 'Test Net A' },
    '203.0.113.0/24'  => { autonomous_system_number => 64513, autonomous_system_organization => 'Test Net B' },
);
