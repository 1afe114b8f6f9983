import { TextField } from '../ui/parts.tsx';

/** The access token lifetime of an API resource, in seconds (60 to 86400), as both resource forms ask for it. */
export const TtlField = ({
  id,
  label,
  help,
  value,
  onChange,
}: {
  id: string;
  label: string;
  help: string;
  value: string;
  onChange: (value: string) => void;
}) => (
  <TextField
    id={id}
    label={label}
    help={help}
    type="number"
    min={60}
    max={86400}
    required
    value={value}
    onChange={(event) => onChange(event.target.value)}
  />
);
