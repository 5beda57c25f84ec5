import { h } from '../../kernel/ui/jsx.ts';
import type { Clinic, LocationWithHours, OpeningHours } from '../../kernel/clinic.ts';
import { formatClock, WEEKDAYS, zoneName } from '../../kernel/time/format.ts';
import { Layout, RequestCta } from '../../kernel/ui/site-layout.tsx';

function telHref(phone: string): string {
  return `tel:${phone.replace(/[^+\d]/g, '')}`;
}

/** Opening hours for one ISO weekday (1 = Monday … 7 = Sunday), earliest first; empty when closed. */
function hoursFor(hours: OpeningHours[], weekday: number): string[] {
  return hours
    .filter((row) => row.weekday === weekday)
    .sort((a, b) => a.opens_min - b.opens_min)
    .map((row) => `${formatClock(row.opens_min)} to ${formatClock(row.closes_min)}`);
}

function LocationArticle(props: { location: LocationWithHours; now: number }) {
  const { location } = props;
  const headingId = `location-${location.slug}-heading`;
  const zone = zoneName(location.time_zone, props.now);
  return (
    <article class="location-card" id={location.slug} aria-labelledby={headingId}>
      <h2 id={headingId}>{location.name}</h2>
      <div class="location-details">
        <div>
          <address>
            {location.address_line}
            <br />
            {location.city}, {location.region} {location.postal_code}
          </address>
          <p>
            Phone: <a href={telHref(location.phone)}>{location.phone}</a>
          </p>
          <div class="actions">
            <a class="button" href={`/consultation?location=${encodeURIComponent(location.slug)}`}>
              Request a consultation at this location
            </a>
            <a href={location.directions_url}>
              Directions<span class="visually-hidden"> to {location.name}</span>
            </a>
          </div>
        </div>
        <div class="table-scroll">
          <table class="hours-table">
            <caption>
              Opening hours<span class="visually-hidden"> at {location.name}</span> ({zone})
            </caption>
            <thead>
              <tr>
                <th scope="col">Day</th>
                <th scope="col">Hours</th>
              </tr>
            </thead>
            <tbody>
              {WEEKDAYS.map((day, index) => {
                const ranges = hoursFor(location.hours, index + 1);
                return (
                  <tr>
                    <th scope="row">{day}</th>
                    {ranges.length > 0 ? (
                      <td>{ranges.map((range, i) => [i > 0 ? ', ' : '', <span class="nowrap">{range}</span>])}</td>
                    ) : (
                      <td class="closed">Closed</td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </div>
    </article>
  );
}

export function LocationsPage(props: { clinic: Clinic; locations: LocationWithHours[]; now: number }) {
  const { clinic, locations, now } = props;
  return (
    <Layout
      title="Locations"
      path="/locations"
      clinic={clinic}
      description={`Addresses, phone numbers, opening hours and directions for ${clinic.name} locations.`}
    >
      <div class="wrap">
        <h1>Our locations</h1>
        <p class="lead">
          You can see us at any of the locations below. Opening hours are shown in each location's own local time.
        </p>

        {locations.length > 1 ? (
          <nav class="toc" aria-labelledby="toc-heading">
            <h2 id="toc-heading">Jump to a location</h2>
            <ul>
              {locations.map((location) => (
                <li>
                  <a href={`#${encodeURIComponent(location.slug)}`}>
                    {location.name}, {location.city}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        ) : null}

        {locations.length > 0 ? (
          locations.map((location) => <LocationArticle location={location} now={now} />)
        ) : (
          <p class="notice">
            Our location details are not available right now. Please call us at{' '}
            <a href={telHref(clinic.phone)}>{clinic.phone}</a>.
          </p>
        )}

        <RequestCta>
          <p>
            You can choose your preferred location when you request a consultation. There is no obligation to start
            treatment.
          </p>
        </RequestCta>
      </div>
    </Layout>
  );
}
